output "instance_ids" {
  description = "Probe host id per zone."
  value       = { for k, v in aws_instance.probe : k => v.id }
}

output "tags" {
  description = "The tags an environment file selects probe hosts by."
  value       = { "pathproof:role" = "probe", "pathproof:zone" = "<zone>" }
}
