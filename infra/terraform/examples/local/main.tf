# The reference architecture on the AWS API emulator (moto): the same resources, names and tags the
# twin's seeder creates, so that the twin built from this state runs the whole suite unchanged.
#   npm run terraform:local   (starts moto, applies, builds the twin, runs every suite, destroys)

terraform {
  required_version = ">= 1.5"
  required_providers {
    aws = { source = "hashicorp/aws", version = ">= 5.0" }
  }
}

variable "endpoint" {
  description = "The emulator's URL (every AWS service of this example is sent there)."
  type        = string
}

variable "access_key" {
  description = "Access key the endpoint accepts (a pathproof lab's gateway accepts only its own; set TF_VAR_access_key)."
  type        = string
  default     = "testing"
}

variable "secret_key" {
  description = "Secret key for access_key (set TF_VAR_secret_key, never on the command line)."
  type        = string
  default     = "testing"
  sensitive   = true
}

locals {
  emulator = { for s in ["ec2", "elbv2", "route53", "route53resolver", "sts", "iam", "logs", "cloudwatchlogs"] : s => var.endpoint }
}

provider "aws" {
  alias                       = "nz"
  region                      = "ap-southeast-6"
  access_key                  = var.access_key
  secret_key                  = var.secret_key
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
  skip_region_validation      = true
  endpoints {
    ec2             = local.emulator.ec2
    elbv2           = local.emulator.elbv2
    route53         = local.emulator.route53
    route53resolver = local.emulator.route53resolver
    sts             = local.emulator.sts
    iam             = local.emulator.iam
    logs            = local.emulator.logs
  }
}

provider "aws" {
  alias                       = "syd"
  region                      = "ap-southeast-2"
  access_key                  = var.access_key
  secret_key                  = var.secret_key
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
  skip_region_validation      = true
  endpoints {
    ec2             = local.emulator.ec2
    elbv2           = local.emulator.elbv2
    route53         = local.emulator.route53
    route53resolver = local.emulator.route53resolver
    sts             = local.emulator.sts
    iam             = local.emulator.iam
    logs            = local.emulator.logs
  }
}

resource "aws_iam_role" "flow_logs" {
  provider = aws.nz
  name     = "pathproof-flow-logs"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Principal = { Service = "vpc-flow-logs.amazonaws.com" }, Action = "sts:AssumeRole" }]
  })
}

module "interconnect" {
  source                = "../../modules/cross-region-interconnect"
  providers             = { aws.nz = aws.nz, aws.syd = aws.syd }
  name                  = "pathproof"
  nz_vpc_cidr           = "10.0.0.0/16"
  syd_vpc_cidr          = "10.1.0.0/16"
  endpoint_subnet_cidrs = ["10.1.1.0/24"]
  endpoint_subnet_zone  = "sydney"
  endpoint_source_cidrs = [module.zones.zone_cidrs.inference]
  # Peering routes from the zones that need the endpoints; data and sandbox get none.
  nz_route_tables = {
    application = module.zones.route_table_ids.application
    inference   = module.zones.route_table_ids.inference
    management  = module.zones.route_table_ids.management
  }
  flow_log_role_arn = aws_iam_role.flow_logs.arn
}

module "zones" {
  source            = "../../modules/ai-zones"
  providers         = { aws = aws.nz }
  name              = "pathproof-nz"
  vpc_id            = module.interconnect.nz_vpc_id
  flow_log_role_arn = aws_iam_role.flow_logs.arn
}

module "dns" {
  source    = "../../modules/dns-firewall"
  providers = { aws = aws.nz }
  name      = "pathproof-nz-dns"
  vpc_id    = module.interconnect.nz_vpc_id
  region    = "ap-southeast-6"
}

# The endpoints' VPC resolves names too: the SDK's other names (FIPS, dual-stack) must not answer
# publicly there either. DNS Firewall is regional, so Sydney has its own rule group.
module "dns_syd" {
  source    = "../../modules/dns-firewall"
  providers = { aws = aws.syd }
  name      = "pathproof-syd-dns"
  vpc_id    = module.interconnect.syd_vpc_id
  region    = "ap-southeast-2"
}

# The front door before the model proxy, its idle time-out above the longest stream pause.
module "front_door" {
  source            = "../../modules/front-door"
  providers         = { aws = aws.nz }
  vpc_id            = module.interconnect.nz_vpc_id
  subnet_ids        = [module.zones.subnet_ids.application]
  security_group_id = module.zones.security_group_ids.frontdoor
  target_ips        = ["10.0.2.20"]
}

module "probes" {
  source    = "../../modules/probe-runners"
  providers = { aws = aws.nz }
  vpc_id    = module.interconnect.nz_vpc_id
  vpc_cidr  = "10.0.0.0/16"
  ami_id    = "ami-0a1b2c3d4e5f60789"
  # Public access closed: the inference probe's role denies Bedrock off these endpoints.
  bedrock_endpoint_ids = values(module.interconnect.endpoint_ids)
  bedrock_vpc_id       = module.interconnect.syd_vpc_id
  zones = {
    application = { subnet_id = module.zones.subnet_ids.application, security_group_id = module.zones.security_group_ids.app, private_ip = "10.0.1.10" }
    inference   = { subnet_id = module.zones.subnet_ids.inference, security_group_id = module.zones.security_group_ids.inference, private_ip = "10.0.2.10" }
    data        = { subnet_id = module.zones.subnet_ids.data, security_group_id = module.zones.security_group_ids.data, private_ip = "10.0.3.10" }
    management  = { subnet_id = module.zones.subnet_ids.management, security_group_id = module.zones.security_group_ids.management, private_ip = "10.0.4.10" }
    sandbox     = { subnet_id = module.zones.subnet_ids.sandbox, security_group_id = module.zones.security_group_ids.sandbox, private_ip = "10.0.5.10" }
  }
  # In the twin, SSM is delivered by pathproof's gateway; real accounts need the endpoints.
  create_ssm_endpoints = false
}

# Stand-ins for the workloads the NET policies protect; the twin serves their ports (pathproof:listen).
locals {
  services = {
    model-proxy  = { zone = "inference", ip = "10.0.2.20", groups = ["proxy"], listen = "443", tls = true }
    vector-db    = { zone = "data", ip = "10.0.3.20", groups = ["vectordb", "data"], listen = "6333,6334", tls = false }
    secrets      = { zone = "management", ip = "10.0.4.20", groups = ["secrets"], listen = "443", tls = true }
    app-frontend = { zone = "application", ip = "10.0.1.20", groups = ["frontend"], listen = "443", tls = false }
    sandbox-tool = { zone = "sandbox", ip = "10.0.5.20", groups = ["sandbox"], listen = "8080", tls = false }
  }
}

resource "aws_instance" "service" {
  provider               = aws.nz
  for_each               = local.services
  ami                    = "ami-0a1b2c3d4e5f60789"
  instance_type          = "t3.micro"
  subnet_id              = module.zones.subnet_ids[each.value.zone]
  private_ip             = each.value.ip
  vpc_security_group_ids = [for g in each.value.groups : module.zones.security_group_ids[g]]
  metadata_options {
    http_endpoint = "enabled"
    http_tokens   = "required"
  }
  tags = merge({ Name = each.key, "pathproof:role" = "service", "pathproof:service" = each.key, "pathproof:listen" = each.value.listen }, each.value.tls ? { "pathproof:tls" = "true" } : {})
}

# A probe host in the Sydney VPC: lateral movement into NZ over the peering must be blocked.
resource "aws_security_group" "syd_probe" {
  provider    = aws.syd
  name        = "pathproof-syd-probe"
  description = "pathproof probe host in the Sydney VPC"
  vpc_id      = module.interconnect.syd_vpc_id
}

resource "aws_vpc_security_group_egress_rule" "syd_probe" {
  provider          = aws.syd
  security_group_id = aws_security_group.syd_probe.id
  ip_protocol       = "-1"
  cidr_ipv4         = "10.0.0.0/16" # anywhere in NZ: the worst case for lateral movement, never the internet
}

resource "aws_instance" "syd_probe" {
  provider               = aws.syd
  ami                    = "ami-0a1b2c3d4e5f60789"
  instance_type          = "t3.micro"
  subnet_id              = module.interconnect.endpoint_subnet_ids[0]
  private_ip             = "10.1.1.50"
  vpc_security_group_ids = [aws_security_group.syd_probe.id]
  metadata_options {
    http_endpoint = "enabled"
    http_tokens   = "required"
  }
  # Listens on 22 (sshd) in the twin: the destination of the generated "X → sydney" checks.
  tags = { Name = "probe-sydney", "pathproof:zone" = "sydney", "pathproof:role" = "probe", "pathproof:service" = "sydney-host", "pathproof:listen" = "22" }
}

output "nz_vpc_id" {
  value = module.interconnect.nz_vpc_id
}

data "aws_caller_identity" "nz" {
  provider = aws.nz
}

# What `npm run pathproof -- init --from-terraform infra/terraform/examples/local` writes an
# environment file from: ids and names only. pathproof discovers the addresses at run time from the
# tags these modules set (pathproof:zone on subnets, pathproof:service on hosts and the front door).
output "pathproof" {
  value = {
    kind = "twin"
    accounts = {
      nz  = { id = data.aws_caller_identity.nz.account_id, region = "ap-southeast-6" }
      syd = { id = data.aws_caller_identity.nz.account_id, region = "ap-southeast-2" }
    }
    zones = merge(
      { for z in keys(module.zones.zone_cidrs) : z => { account = "nz", vpc_id = module.interconnect.nz_vpc_id, imds = z != "sandbox", roles = lookup(module.probes.bedrock_role_names, z, []) } },
      { sydney = { account = "syd", vpc_id = module.interconnect.syd_vpc_id, imds = true, roles = [] } },
    )
    bedrock = {
      account  = "syd"
      region   = "ap-southeast-2"
      vpc_id   = module.interconnect.syd_vpc_id
      services = keys(module.interconnect.endpoint_ids)
    }
    services = merge(
      { for k, v in local.services : k => { zone = v.zone, port = tonumber(split(",", v.listen)[0]) } },
      { front-door = { zone = "application", port = 80 }, sydney-host = { zone = "sydney", port = 22 } },
    )
    approved_names   = module.dns.approved_names
    query_log_groups = [module.dns.query_log_group, module.dns_syd.query_log_group]
  }
}
