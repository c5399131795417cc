output "nz_vpc_id" {
  description = "The NZ application VPC."
  value       = local.nz_vpc_id
}

output "syd_vpc_id" {
  description = "The Sydney VPC holding the Bedrock endpoints."
  value       = aws_vpc.syd.id
}

output "peering_connection_id" {
  description = "The cross-region peering connection."
  value       = aws_vpc_peering_connection.nz_syd.id
}

output "endpoint_ids" {
  description = "Interface endpoint id per Bedrock service."
  value       = { for k, v in aws_vpc_endpoint.bedrock : k => v.id }
}

output "endpoint_security_group_id" {
  description = "Security group of the endpoints."
  value       = aws_security_group.endpoints.id
}

output "private_hosted_zone_ids" {
  description = "Private hosted zone id per Bedrock hostname."
  value       = { for k, v in aws_route53_zone.bedrock : v.name => v.zone_id }
}

output "endpoint_subnet_ids" {
  description = "The Sydney subnets holding the endpoint ENIs."
  value       = aws_subnet.endpoints[*].id
}
