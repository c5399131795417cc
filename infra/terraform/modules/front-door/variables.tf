variable "name" {
  description = "Name of the load balancer and its target group."
  type        = string
  default     = "pathproof-nz-front-door"
}

variable "vpc_id" {
  description = "The VPC of the load balancer and its targets."
  type        = string
}

variable "subnet_ids" {
  description = "The application zone's subnets (AWS needs two in different Availability Zones; the emulator takes one)."
  type        = list(string)
}

variable "security_group_id" {
  description = "The front door's group (ai-zones: security_group_ids.frontdoor): 80 from the application, 443 to the model proxy."
  type        = string
}

variable "target_ips" {
  description = "The model proxy's addresses."
  type        = list(string)
}

variable "target_port" {
  description = "The model proxy's HTTPS port."
  type        = number
  default     = 443
}

variable "listener_port" {
  description = "The front door's HTTP port."
  type        = number
  default     = 80
}

variable "idle_timeout_seconds" {
  description = "idle_timeout.timeout_seconds: above the longest pause of a streamed answer (the SDKs' event-stream session is 300 s)."
  type        = number
  default     = 400
}

variable "service_name" {
  description = "The pathproof service the load balancer is (tag pathproof:service): the environment's services.<name>."
  type        = string
  default     = "front-door"
}

variable "tags" {
  description = "Tags for every resource."
  type        = map(string)
  default     = {}
}
