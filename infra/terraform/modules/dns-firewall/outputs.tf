output "rule_group_id" {
  description = "The DNS Firewall rule group associated with the VPC."
  value       = aws_route53_resolver_firewall_rule_group.this.id
}

output "approved_domain_list_id" {
  description = "The domain list of approved names (add names through var.approved_names)."
  value       = aws_route53_resolver_firewall_domain_list.approved.id
}

output "approved_names" {
  description = "Every name the zones may resolve."
  value       = local.approved
}

output "query_log_group" {
  description = "Where the VPC's Resolver query logs go (the environment's monitoring.queryLogGroups)."
  value       = aws_cloudwatch_log_group.queries.name
}
