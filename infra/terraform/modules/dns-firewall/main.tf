# Route 53 Resolver DNS Firewall and query logging for one VPC: the names the zones legitimately
# resolve are allowed, every other name is blocked, fail-closed, and every query is logged.
# DNS tunnelling (data in query names) is blocked at the resolver, before a query leaves the VPC.

locals {
  approved = distinct(concat(
    [for s in var.bedrock_services : "${s}.${var.bedrock_region}.amazonaws.com"],
    [for s in ["ssm", "ssmmessages", "ec2messages", "secretsmanager", "logs"] : "${s}.${var.region}.amazonaws.com"],
    var.approved_names,
  ))
}

resource "aws_route53_resolver_firewall_domain_list" "approved" {
  name    = "${var.name}-approved"
  domains = local.approved
  tags    = var.tags
}

resource "aws_route53_resolver_firewall_domain_list" "everything" {
  name    = "${var.name}-everything"
  domains = ["*"]
  tags    = var.tags
}

resource "aws_route53_resolver_firewall_rule_group" "this" {
  name = var.name
  tags = var.tags
}

# DNS Firewall evaluates rules by priority, lowest first, and the first match decides.
resource "aws_route53_resolver_firewall_rule" "allow_approved" {
  name                    = "allow-approved"
  action                  = "ALLOW"
  firewall_domain_list_id = aws_route53_resolver_firewall_domain_list.approved.id
  firewall_rule_group_id  = aws_route53_resolver_firewall_rule_group.this.id
  priority                = 100
}

resource "aws_route53_resolver_firewall_rule" "block_everything_else" {
  name                    = "block-everything-else"
  action                  = "BLOCK"
  block_response          = var.block_response
  block_override_domain   = var.block_response == "OVERRIDE" ? var.block_override_domain : null
  block_override_dns_type = var.block_response == "OVERRIDE" ? "CNAME" : null
  block_override_ttl      = var.block_response == "OVERRIDE" ? 60 : null
  firewall_domain_list_id = aws_route53_resolver_firewall_domain_list.everything.id
  firewall_rule_group_id  = aws_route53_resolver_firewall_rule_group.this.id
  priority                = 200
}

resource "aws_route53_resolver_firewall_rule_group_association" "vpc" {
  name                   = var.name
  firewall_rule_group_id = aws_route53_resolver_firewall_rule_group.this.id
  vpc_id                 = var.vpc_id
  priority               = 101
  mutation_protection    = "DISABLED"
  tags                   = var.tags
  # The rules exist before the group filters anything: no window in which only the block rule applies.
  depends_on = [aws_route53_resolver_firewall_rule.allow_approved, aws_route53_resolver_firewall_rule.block_everything_else]
}

# Fail-closed: while DNS Firewall cannot evaluate a query, the query is not answered.
resource "aws_route53_resolver_firewall_config" "vpc" {
  resource_id        = var.vpc_id
  firewall_fail_open = "DISABLED"
}

resource "aws_cloudwatch_log_group" "queries" {
  name              = "/pathproof/resolver-queries/${var.name}"
  retention_in_days = var.query_log_retention_days
  tags              = var.tags
}

resource "aws_route53_resolver_query_log_config" "this" {
  name            = "${var.name}-queries"
  destination_arn = aws_cloudwatch_log_group.queries.arn
  tags            = var.tags
}

resource "aws_route53_resolver_query_log_config_association" "vpc" {
  resolver_query_log_config_id = aws_route53_resolver_query_log_config.this.id
  resource_id                  = var.vpc_id
}
