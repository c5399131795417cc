variable "name" {
  description = "Prefix of every resource name (rule group, domain lists, query log configuration)."
  type        = string
}

variable "vpc_id" {
  description = "The VPC whose Amazon DNS queries are filtered and logged (DNS Firewall and query logging are associated per VPC)."
  type        = string
}

variable "region" {
  description = "The VPC's region: the SSM, EC2 messages, Secrets Manager and Logs names of this region are approved."
  type        = string
}

variable "bedrock_region" {
  description = "Where Bedrock is called (its private endpoints' names are approved)."
  type        = string
  default     = "ap-southeast-2"
}

variable "bedrock_services" {
  description = "The Bedrock services whose names the zones resolve."
  type        = list(string)
  default     = ["bedrock", "bedrock-runtime", "bedrock-agent", "bedrock-agent-runtime"]
}

variable "approved_names" {
  description = "More names the zones legitimately resolve (the environment's dns.approved beyond the AWS service names). A leading '*.' approves every name below a domain."
  type        = list(string)
  default     = []
}

variable "block_response" {
  description = "What a blocked query gets: NXDOMAIN (the name does not exist), NODATA (no answer) or OVERRIDE (a CNAME to block_override_domain)."
  type        = string
  default     = "NXDOMAIN"
  validation {
    condition     = contains(["NXDOMAIN", "NODATA", "OVERRIDE"], var.block_response)
    error_message = "block_response must be NXDOMAIN, NODATA or OVERRIDE."
  }
}

variable "block_override_domain" {
  description = "With block_response OVERRIDE: the name blocked queries are answered with (a CNAME)."
  type        = string
  default     = null
}

variable "query_log_retention_days" {
  description = "How long the Resolver query logs are kept in CloudWatch Logs."
  type        = number
  default     = 90
}

variable "tags" {
  description = "Tags for every resource."
  type        = map(string)
  default     = {}
}
