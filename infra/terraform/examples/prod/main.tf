# Production: the NZ application account (ap-southeast-6) and the Sydney Bedrock account
# (ap-southeast-2). Deploy with credentials that can assume both roles; then write the environment
# file from the outputs, `npm run pathproof -- init --from-terraform infra/terraform/examples/prod`,
# review it and run `npm test -- --env=prod`.

terraform {
  required_version = ">= 1.5"
  required_providers {
    aws = { source = "hashicorp/aws", version = ">= 5.0" }
  }
}

variable "nz_account_role_arn" {
  description = "Role in the NZ account that Terraform assumes."
  type        = string
}

variable "syd_account_role_arn" {
  description = "Role in the Sydney account that Terraform assumes."
  type        = string
}

variable "probe_ami_id" {
  description = "Amazon Linux 2023 AMI in ap-southeast-6 for the probe hosts."
  type        = string
}

variable "model_proxy_ips" {
  description = "The model proxy's private addresses in the inference subnet (the front door's targets)."
  type        = list(string)
  default     = ["10.0.2.20"]
}

variable "organization_id" {
  description = "AWS Organization id: the endpoint policy admits only its principals."
  type        = string
  default     = null
}

provider "aws" {
  alias  = "nz"
  region = "ap-southeast-6"
  assume_role {
    role_arn     = var.nz_account_role_arn
    session_name = "pathproof-deploy"
  }
  # ap-southeast-6 is an opt-in region: STS must be regional.
  sts_region = "ap-southeast-6"
}

provider "aws" {
  alias  = "syd"
  region = "ap-southeast-2"
  assume_role {
    role_arn     = var.syd_account_role_arn
    session_name = "pathproof-deploy"
  }
  sts_region = "ap-southeast-2"
}

data "aws_caller_identity" "syd" {
  provider = aws.syd
}

resource "aws_iam_role" "flow_logs" {
  provider = aws.nz
  name     = "pathproof-flow-logs"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Principal = { Service = "vpc-flow-logs.amazonaws.com" }, Action = "sts:AssumeRole" }]
  })
}

resource "aws_iam_role_policy" "flow_logs" {
  provider = aws.nz
  role     = aws_iam_role.flow_logs.id
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogGroups", "logs:DescribeLogStreams"], Resource = "*" }]
  })
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

module "interconnect" {
  source                = "../../modules/cross-region-interconnect"
  providers             = { aws.nz = aws.nz, aws.syd = aws.syd }
  name                  = "pathproof"
  endpoint_source_cidrs = [module.zones.zone_cidrs.inference]
  nz_route_tables = {
    application = module.zones.route_table_ids.application
    inference   = module.zones.route_table_ids.inference
    management  = module.zones.route_table_ids.management
  }
  principal_org_id = var.organization_id
  # Flow logs of the Sydney VPC need a delivery role in the Sydney account: create one there and pass it.
  flow_logs = false
}

# The front door before the model proxy, its idle time-out above the longest stream pause.
module "front_door" {
  source            = "../../modules/front-door"
  providers         = { aws = aws.nz }
  vpc_id            = module.interconnect.nz_vpc_id
  subnet_ids        = [module.zones.subnet_ids.application]
  security_group_id = module.zones.security_group_ids.frontdoor
  target_ips        = var.model_proxy_ips
}

module "probes" {
  source                  = "../../modules/probe-runners"
  providers               = { aws = aws.nz }
  vpc_id                  = module.interconnect.nz_vpc_id
  vpc_cidr                = "10.0.0.0/16"
  ami_id                  = var.probe_ami_id
  ssm_endpoint_subnet_ids = [module.zones.subnet_ids.management]
  # Public access closed: the inference probe's role denies Bedrock off these endpoints.
  bedrock_endpoint_ids = values(module.interconnect.endpoint_ids)
  bedrock_vpc_id       = module.interconnect.syd_vpc_id
  zones = {
    application = { subnet_id = module.zones.subnet_ids.application, security_group_id = module.zones.security_group_ids.app }
    inference   = { subnet_id = module.zones.subnet_ids.inference, security_group_id = module.zones.security_group_ids.inference }
    data        = { subnet_id = module.zones.subnet_ids.data, security_group_id = module.zones.security_group_ids.data }
    management  = { subnet_id = module.zones.subnet_ids.management, security_group_id = module.zones.security_group_ids.management }
    sandbox     = { subnet_id = module.zones.subnet_ids.sandbox, security_group_id = module.zones.security_group_ids.sandbox }
  }
}

data "aws_caller_identity" "nz" {
  provider = aws.nz
}

variable "runner_role_arns" {
  description = "The roles pathproof runs as in each account (nz, syd), for the environment file init writes; null: the default profile."
  type        = object({ nz = string, syd = string })
  default     = null
}

# What `npm run pathproof -- init --from-terraform infra/terraform/examples/prod` writes an
# environment file from: ids and names only. pathproof discovers the addresses at run time from the
# tags (pathproof:zone on the zones' subnets; tag your workloads pathproof:service=<name>, as the
# front door is) and from the endpoints' subnets.
output "pathproof" {
  value = {
    kind = "aws"
    accounts = {
      nz  = merge({ id = data.aws_caller_identity.nz.account_id, region = "ap-southeast-6" }, var.runner_role_arns == null ? { profile = "default" } : { role_arn = var.runner_role_arns.nz })
      syd = merge({ id = data.aws_caller_identity.syd.account_id, region = "ap-southeast-2" }, var.runner_role_arns == null ? { profile = "default" } : { role_arn = var.runner_role_arns.syd })
    }
    zones = { for z in keys(module.zones.zone_cidrs) : z => { account = "nz", vpc_id = module.interconnect.nz_vpc_id, imds = z != "sandbox", roles = lookup(module.probes.bedrock_role_names, z, []) } }
    bedrock = {
      account  = "syd"
      region   = "ap-southeast-2"
      vpc_id   = module.interconnect.syd_vpc_id
      services = keys(module.interconnect.endpoint_ids)
    }
    services = {
      model-proxy  = { zone = "inference", port = 443 }
      vector-db    = { zone = "data", port = 6333 }
      secrets      = { zone = "management", port = 443 }
      app-frontend = { zone = "application", port = 443 }
      sandbox-tool = { zone = "sandbox", port = 8080 }
      front-door   = { zone = "application", port = 80 }
    }
    approved_names   = module.dns.approved_names
    flow_log_groups  = compact([module.zones.flow_log_group])
    query_log_groups = [module.dns.query_log_group, module.dns_syd.query_log_group]
  }
}
