variable "name" {
  description = "Name prefix for every resource (Name tags)."
  type        = string
  default     = "pathproof"
}

variable "create_nz_vpc" {
  description = "Create the NZ application VPC (true) or use an existing one given by nz_vpc_id (false)."
  type        = bool
  default     = true
}

variable "nz_vpc_id" {
  description = "Existing NZ VPC id when create_nz_vpc is false."
  type        = string
  default     = null
}

variable "nz_vpc_cidr" {
  description = "CIDR of the NZ application VPC (created or existing)."
  type        = string
  default     = "10.0.0.0/16"
}

variable "nz_route_tables" {
  description = "NZ route tables that get the route to the endpoint subnets, by a static name (e.g. { inference = \"rtb-…\" }). Empty: every route table of an existing NZ VPC is discovered (needs create_nz_vpc = false: ids must be known at plan time)."
  type        = map(string)
  default     = {}
}

variable "syd_vpc_cidr" {
  description = "CIDR of the Sydney VPC that holds the Bedrock interface endpoints."
  type        = string
  default     = "10.1.0.0/16"
}

variable "endpoint_subnet_cidrs" {
  description = "Subnets of the Sydney VPC for the endpoint ENIs; peering routes are scoped to exactly these."
  type        = list(string)
  default     = ["10.1.1.0/24"]
}

variable "endpoint_source_cidrs" {
  description = "Who may reach the endpoints on 443: the inference subnet(s), never the whole NZ VPC (NET-010)."
  type        = list(string)
}

variable "bedrock_services" {
  description = "Bedrock services that get an interface endpoint and a private hosted zone."
  type        = list(string)
  default     = ["bedrock", "bedrock-runtime", "bedrock-agent", "bedrock-agent-runtime"]
}

variable "allowed_model_arns" {
  description = "Foundation models the endpoint policy allows to invoke (others are refused)."
  type        = list(string)
  default     = ["arn:aws:bedrock:*::foundation-model/anthropic.claude-*", "arn:aws:bedrock:*::foundation-model/amazon.titan-*"]
}

variable "principal_org_id" {
  description = "If set, the endpoint policy allows only principals of this AWS Organization (aws:PrincipalOrgID)."
  type        = string
  default     = null
}

variable "flow_logs" {
  description = "Create a flow log (ALL traffic) for the Sydney VPC."
  type        = bool
  default     = true
}

variable "flow_log_role_arn" {
  description = "IAM role that delivers the Sydney VPC flow log to CloudWatch Logs (needed when flow_logs is true)."
  type        = string
  default     = null
}

variable "endpoint_subnet_zone" {
  description = "A pathproof zone whose probe host lives in the endpoint subnets (tag pathproof:zone, from which pathproof discovers the zone's range); null for none."
  type        = string
  default     = null
}

variable "tags" {
  description = "Tags for every resource."
  type        = map(string)
  default     = {}
}
