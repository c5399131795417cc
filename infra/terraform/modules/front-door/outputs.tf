output "dns_name" {
  description = "The front door's DNS name (the environment's services.front-door.host in a real account)."
  value       = aws_lb.front_door.dns_name
}

output "arn" {
  description = "The load balancer's ARN."
  value       = aws_lb.front_door.arn
}
