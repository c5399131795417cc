output "instance_ids" {
  description = "Probe host id per zone."
  value       = { for k, v in aws_instance.probe : k => v.id }
}

output "tags" {
  description = "The tags an environment file selects probe hosts by."
  value       = { "pathproof:role" = "probe", "pathproof:zone" = "<zone>" }
}

output "bedrock_role_names" {
  description = "Per zone that calls Bedrock, the probe's role whose identity policy denies Bedrock off the private path (the environment's zones.<zone>.roles)."
  value       = { for k, v in aws_iam_role.bedrock : k => [v.name] }
}
