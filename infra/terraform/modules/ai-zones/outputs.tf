output "subnet_ids" {
  description = "Subnet id per zone."
  value       = { for k, v in aws_subnet.zone : k => v.id }
}

output "route_table_ids" {
  description = "Route table id per zone."
  value       = { for k, v in aws_route_table.zone : k => v.id }
}

output "security_group_ids" {
  description = "Security group id by role (app, inference, proxy, data, vectordb, management, secrets, sandbox, frontend)."
  value       = { for k, v in aws_security_group.zone : k => v.id }
}

output "flow_log_group" {
  description = "CloudWatch Logs group of the VPC flow log (for the environment's monitoring.flowLogGroups)."
  value       = try(aws_cloudwatch_log_group.flow[0].name, null)
}

output "zone_cidrs" {
  description = "CIDR per zone."
  value       = { for k, v in var.zones : k => v.cidr }
}
