# Security zones of the NZ VPC and the security groups that express the NET policies:
#   NET-001 application → inference proxy 443    NET-003 inference → vector DB 6333-6334
#   NET-004 inference → secrets 443              NET-011 the data zone initiates nothing
#   NET-010/NET-012 no internet route out of data, inference or sandbox (this module creates none)
#   the agent-tool sandbox reaches nothing.

resource "aws_subnet" "zone" {
  for_each          = var.zones
  vpc_id            = var.vpc_id
  cidr_block        = each.value.cidr
  availability_zone = "${var.region}${each.value.az}"
  tags              = merge(var.tags, { Name = "${var.name}-${each.key}", "pathproof:zone" = each.key })
}

# One route table per zone: only the local route unless a caller adds one (peering to the endpoints).
resource "aws_route_table" "zone" {
  for_each = var.zones
  vpc_id   = var.vpc_id
  tags     = merge(var.tags, { Name = "${var.name}-${each.key}" })
}

resource "aws_route_table_association" "zone" {
  for_each       = var.zones
  subnet_id      = aws_subnet.zone[each.key].id
  route_table_id = aws_route_table.zone[each.key].id
}

locals {
  # Security groups: hosts of each zone, and the services the NET policies name.
  groups = {
    app        = "application hosts"
    inference  = "inference hosts"
    proxy      = "model proxy (NET-001)"
    data       = "data zone hosts, no egress (NET-011)"
    vectordb   = "vector DB (NET-003)"
    management = "management hosts"
    secrets    = "secrets endpoint (NET-004)"
    sandbox    = "agent-tool sandbox, reaches nothing"
    frontend   = "application front end, reached only from the load balancer (outside this model)"
    frontdoor  = "front-door load balancer before the model proxy (NET-001)"
  }
  # Egress names only what the catalog allows (a new group's default, all to 0.0.0.0/0, would open
  # flows the catalog denies, hidden only until someone adds a route). Data, vector DB, secrets,
  # management, sandbox and front end start no connections.
  inference_egress = merge(
    { for i, cidr in var.bedrock_endpoint_cidrs : "endpoints-${i}" => { cidr = cidr, group = null, from = 443, to = 443, note = "NET-002 Bedrock endpoints over peering" } },
    {
      vectordb = { cidr = null, group = "vectordb", from = 6333, to = 6334, note = "NET-003 the vector DB" }
      secrets  = { cidr = null, group = "secrets", from = 443, to = 443, note = "NET-004 secrets" }
    },
  )
  egress = merge(
    { "app-proxy" = { sg = "app", cidr = null, group = "proxy", from = 443, to = 443, note = "NET-001 the model proxy" } },
    { "app-frontdoor" = { sg = "app", cidr = null, group = "frontdoor", from = 80, to = 80, note = "NET-001 the front door" } },
    { "frontdoor-proxy" = { sg = "frontdoor", cidr = null, group = "proxy", from = 443, to = 443, note = "NET-001 the front door to the model proxy" } },
    { for k, r in local.inference_egress : "inference-${k}" => merge(r, { sg = "inference" }) },
    { for k, r in local.inference_egress : "proxy-${k}" => merge(r, { sg = "proxy" }) },
  )
}

resource "aws_security_group" "zone" {
  for_each    = local.groups
  name        = "${var.name}-${each.key}"
  description = each.value
  vpc_id      = var.vpc_id
  tags        = merge(var.tags, { Name = "${var.name}-${each.key}" })
}

resource "aws_vpc_security_group_egress_rule" "allowed" {
  for_each                     = local.egress
  security_group_id            = aws_security_group.zone[each.value.sg].id
  ip_protocol                  = "tcp"
  from_port                    = each.value.from
  to_port                      = each.value.to
  cidr_ipv4                    = each.value.cidr
  referenced_security_group_id = each.value.group == null ? null : aws_security_group.zone[each.value.group].id
  description                  = each.value.note
}

resource "aws_vpc_security_group_ingress_rule" "net001_proxy" {
  security_group_id            = aws_security_group.zone["proxy"].id
  ip_protocol                  = "tcp"
  from_port                    = 443
  to_port                      = 443
  referenced_security_group_id = aws_security_group.zone["app"].id
  description                  = "NET-001 application to the model proxy"
}

resource "aws_vpc_security_group_ingress_rule" "net001_proxy_from_frontdoor" {
  security_group_id            = aws_security_group.zone["proxy"].id
  ip_protocol                  = "tcp"
  from_port                    = 443
  to_port                      = 443
  referenced_security_group_id = aws_security_group.zone["frontdoor"].id
  description                  = "NET-001 the front door to the model proxy"
}

resource "aws_vpc_security_group_ingress_rule" "net001_frontdoor" {
  security_group_id            = aws_security_group.zone["frontdoor"].id
  ip_protocol                  = "tcp"
  from_port                    = 80
  to_port                      = 80
  referenced_security_group_id = aws_security_group.zone["app"].id
  description                  = "NET-001 application to the front door"
}

resource "aws_vpc_security_group_ingress_rule" "net003_vectordb" {
  security_group_id            = aws_security_group.zone["vectordb"].id
  ip_protocol                  = "tcp"
  from_port                    = 6333
  to_port                      = 6334
  referenced_security_group_id = aws_security_group.zone["inference"].id
  description                  = "NET-003 inference to the vector DB"
}

resource "aws_vpc_security_group_ingress_rule" "net004_secrets" {
  security_group_id            = aws_security_group.zone["secrets"].id
  ip_protocol                  = "tcp"
  from_port                    = 443
  to_port                      = 443
  referenced_security_group_id = aws_security_group.zone["inference"].id
  description                  = "NET-004 inference to secrets"
}

resource "aws_cloudwatch_log_group" "flow" {
  count             = var.flow_logs ? 1 : 0
  name              = "/pathproof/flow-logs/${var.name}"
  retention_in_days = 90
  tags              = var.tags
}

resource "aws_flow_log" "vpc" {
  count           = var.flow_logs ? 1 : 0
  vpc_id          = var.vpc_id
  traffic_type    = "ALL" # REJECT records are how monitoring sees a blocked exfiltration
  log_destination = aws_cloudwatch_log_group.flow[0].arn
  iam_role_arn    = var.flow_log_role_arn
  tags            = var.tags
}
