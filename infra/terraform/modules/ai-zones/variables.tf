variable "name" {
  description = "Name prefix of the VPC's resources (Name tags and security group names)."
  type        = string
  default     = "pathproof-nz"
}

variable "vpc_id" {
  description = "The NZ application VPC."
  type        = string
}

variable "zones" {
  description = "Zone subnets: application, inference, data, management and sandbox, each a CIDR (and optional availability zone suffix)."
  type        = map(object({ cidr = string, az = optional(string, "a") }))
  default = {
    application = { cidr = "10.0.1.0/24" }
    inference   = { cidr = "10.0.2.0/24" }
    data        = { cidr = "10.0.3.0/24" }
    management  = { cidr = "10.0.4.0/24" }
    sandbox     = { cidr = "10.0.5.0/24" }
  }
  validation {
    condition     = alltrue([for z in ["application", "inference", "data", "management", "sandbox"] : contains(keys(var.zones), z)])
    error_message = "zones must define application, inference, data, management and sandbox."
  }
}

variable "region" {
  description = "Region of the VPC (given, not looked up: provider 5.x does not list ap-southeast-6)."
  type        = string
  default     = "ap-southeast-6"
}

variable "flow_logs" {
  description = "Create a VPC flow log capturing ALL traffic (without it the config check flow-logs-all FAILs)."
  type        = bool
  default     = true
}

variable "flow_log_role_arn" {
  description = "IAM role that delivers VPC flow logs to CloudWatch Logs (needed when flow_logs is true)."
  type        = string
  default     = null
}

variable "tags" {
  description = "Tags for every resource."
  type        = map(string)
  default     = {}
}

variable "bedrock_endpoint_cidrs" {
  description = "Subnets of the Bedrock interface endpoints (Sydney): where inference may send 443 (NET-002)."
  type        = list(string)
  default     = ["10.1.1.0/24"]
}
