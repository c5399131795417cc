# Cross-region private path: NZ VPC (ap-southeast-6) -> peering -> Sydney VPC (ap-southeast-2) with
# Bedrock interface endpoints, and private hosted zones so the NZ VPC resolves Bedrock to them.
# Endpoint private DNS does not cross peering: without the zones, NZ resolves Bedrock publicly.

data "aws_region" "syd" {
  provider = aws.syd
}

resource "aws_vpc" "nz" {
  provider             = aws.nz
  count                = var.create_nz_vpc ? 1 : 0
  cidr_block           = var.nz_vpc_cidr
  enable_dns_support   = true
  enable_dns_hostnames = true # private hosted zones need both
  tags                 = merge(var.tags, { Name = "${var.name}-nz" })
}

locals {
  nz_vpc_id = var.create_nz_vpc ? aws_vpc.nz[0].id : var.nz_vpc_id
  region    = data.aws_region.syd.name
}

data "aws_route_tables" "nz" {
  provider = aws.nz
  vpc_id   = local.nz_vpc_id
}

resource "aws_vpc" "syd" {
  provider             = aws.syd
  cidr_block           = var.syd_vpc_cidr
  enable_dns_support   = true
  enable_dns_hostnames = true
  tags                 = merge(var.tags, { Name = "${var.name}-syd" })
}

resource "aws_subnet" "endpoints" {
  provider          = aws.syd
  count             = length(var.endpoint_subnet_cidrs)
  vpc_id            = aws_vpc.syd.id
  cidr_block        = var.endpoint_subnet_cidrs[count.index]
  availability_zone = "${local.region}${["a", "b", "c"][count.index % 3]}"
  tags = merge(var.tags, { Name = "${var.name}-syd-endpoints${count.index == 0 ? "" : "-${count.index}"}" },
  var.endpoint_subnet_zone == null ? {} : { "pathproof:zone" = var.endpoint_subnet_zone })
}

resource "aws_route_table" "endpoints" {
  provider = aws.syd
  vpc_id   = aws_vpc.syd.id
  tags     = merge(var.tags, { Name = "${var.name}-syd-endpoints" })
}

resource "aws_route_table_association" "endpoints" {
  provider       = aws.syd
  count          = length(aws_subnet.endpoints)
  subnet_id      = aws_subnet.endpoints[count.index].id
  route_table_id = aws_route_table.endpoints.id
}

resource "aws_vpc_peering_connection" "nz_syd" {
  provider    = aws.nz
  vpc_id      = local.nz_vpc_id
  peer_vpc_id = aws_vpc.syd.id
  peer_region = local.region
  auto_accept = false # cross-region: the accepter side accepts
  tags        = merge(var.tags, { Name = "${var.name}-nz-to-${var.name}-syd" })
}

resource "aws_vpc_peering_connection_accepter" "syd" {
  provider                  = aws.syd
  vpc_peering_connection_id = aws_vpc_peering_connection.nz_syd.id
  auto_accept               = true
  tags                      = merge(var.tags, { Name = "${var.name}-nz-to-${var.name}-syd" })
}

locals {
  nz_route_tables = length(var.nz_route_tables) > 0 ? var.nz_route_tables : { for id in data.aws_route_tables.nz.ids : id => id }
  nz_routes       = { for pair in setproduct(keys(local.nz_route_tables), range(length(var.endpoint_subnet_cidrs))) : "${pair[0]}|${pair[1]}" => { table = local.nz_route_tables[pair[0]], cidr = var.endpoint_subnet_cidrs[pair[1]] } }
}

# Routes both ways. NZ routes reach only the endpoint subnets, not the whole Sydney VPC.
resource "aws_route" "nz_to_endpoints" {
  provider                  = aws.nz
  for_each                  = local.nz_routes
  route_table_id            = each.value.table
  destination_cidr_block    = each.value.cidr
  vpc_peering_connection_id = aws_vpc_peering_connection.nz_syd.id
  depends_on                = [aws_vpc_peering_connection_accepter.syd]
}

resource "aws_route" "endpoints_to_nz" {
  provider                  = aws.syd
  route_table_id            = aws_route_table.endpoints.id
  destination_cidr_block    = var.nz_vpc_cidr
  vpc_peering_connection_id = aws_vpc_peering_connection.nz_syd.id
  depends_on                = [aws_vpc_peering_connection_accepter.syd]
}

resource "aws_security_group" "endpoints" {
  provider    = aws.syd
  name        = "${var.name}-syd-endpoints"
  description = "Bedrock interface endpoints: 443 from the inference subnet only"
  vpc_id      = aws_vpc.syd.id
  tags        = merge(var.tags, { Name = "${var.name}-syd-endpoints" })
}

resource "aws_vpc_security_group_ingress_rule" "endpoints_443" {
  provider          = aws.syd
  for_each          = toset(var.endpoint_source_cidrs)
  security_group_id = aws_security_group.endpoints.id
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  cidr_ipv4         = each.value
  description       = "NET-002: inference to Bedrock over the private endpoint"
}

resource "aws_vpc_security_group_egress_rule" "endpoints_all" {
  provider          = aws.syd
  security_group_id = aws_security_group.endpoints.id
  ip_protocol       = "-1"
  cidr_ipv4         = "0.0.0.0/0"
}

locals {
  model_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      merge({
        Sid       = "ApprovedModelFamilies"
        Effect    = "Allow"
        Principal = "*"
        Action    = ["bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream"]
        Resource  = var.allowed_model_arns
      }, var.principal_org_id == null ? {} : { Condition = { StringEquals = { "aws:PrincipalOrgID" = var.principal_org_id } } }),
      {
        Sid       = "ReadOnlyDiscovery"
        Effect    = "Allow"
        Principal = "*"
        Action    = ["bedrock:List*", "bedrock:Get*"]
        Resource  = "*"
      },
    ]
  })
}

resource "aws_vpc_endpoint" "bedrock" {
  provider            = aws.syd
  for_each            = toset(var.bedrock_services)
  vpc_id              = aws_vpc.syd.id
  service_name        = "com.amazonaws.${local.region}.${each.value}"
  vpc_endpoint_type   = "Interface"
  subnet_ids          = aws_subnet.endpoints[*].id
  security_group_ids  = [aws_security_group.endpoints.id]
  private_dns_enabled = true
  policy              = local.model_policy
  tags                = merge(var.tags, { Name = "${var.name}-syd-${each.value}" })
}

# One private hosted zone per Bedrock hostname, associated with the NZ VPC, apex alias to the endpoint.
resource "aws_route53_zone" "bedrock" {
  provider = aws.nz
  for_each = toset(var.bedrock_services)
  name     = "${each.value}.${local.region}.amazonaws.com"
  comment  = "Bedrock ${each.value} over peering (pathproof)"
  vpc {
    vpc_id = local.nz_vpc_id
  }
  tags = var.tags
}

resource "aws_route53_record" "bedrock" {
  provider = aws.nz
  for_each = toset(var.bedrock_services)
  zone_id  = aws_route53_zone.bedrock[each.value].zone_id
  name     = "${each.value}.${local.region}.amazonaws.com"
  type     = "A"
  alias {
    name                   = aws_vpc_endpoint.bedrock[each.value].dns_entry[0].dns_name
    zone_id                = aws_vpc_endpoint.bedrock[each.value].dns_entry[0].hosted_zone_id
    evaluate_target_health = false
  }
}

resource "aws_flow_log" "syd" {
  provider        = aws.syd
  count           = var.flow_logs ? 1 : 0
  vpc_id          = aws_vpc.syd.id
  traffic_type    = "ALL"
  log_destination = aws_cloudwatch_log_group.syd[0].arn
  iam_role_arn    = var.flow_log_role_arn
  tags            = var.tags
}

resource "aws_cloudwatch_log_group" "syd" {
  provider          = aws.syd
  count             = var.flow_logs ? 1 : 0
  name              = "/pathproof/flow-logs/${var.name}-syd"
  retention_in_days = 90
  tags              = var.tags
}
