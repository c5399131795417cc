variable "name" {
  description = "Name prefix."
  type        = string
  default     = "pathproof"
}

variable "region" {
  description = "Region of the VPC (for the SSM endpoint service names)."
  type        = string
  default     = "ap-southeast-6"
}

variable "vpc_id" {
  description = "The VPC of the probe hosts."
  type        = string
}

variable "vpc_cidr" {
  description = "CIDR of the VPC (the SSM endpoints admit 443 from it: a declared management exception)."
  type        = string
}

variable "zones" {
  description = "Probe host per zone: subnet, security group and private address (optional)."
  type        = map(object({ subnet_id = string, security_group_id = string, private_ip = optional(string) }))
}

variable "ami_id" {
  description = "AMI of the probe hosts: Amazon Linux 2023 (has sh, bash, getent, timeout, curl and the SSM agent)."
  type        = string
}

variable "instance_type" {
  description = "Instance type of the probe hosts."
  type        = string
  default     = "t3.micro"
}

variable "imds_disabled_zones" {
  description = "Zones whose probe host has the instance metadata service turned off (the agent sandbox)."
  type        = list(string)
  default     = ["sandbox"]
}

variable "create_ssm_endpoints" {
  description = "Create ssm, ssmmessages and ec2messages interface endpoints so hosts in subnets without egress reach SSM."
  type        = bool
  default     = true
}

variable "ssm_endpoint_subnet_ids" {
  description = "Subnets for the SSM endpoints (usually the management subnet)."
  type        = list(string)
  default     = []
}

variable "create_instance_profile" {
  description = "Create the role and instance profile with AmazonSSMManagedInstanceCore."
  type        = bool
  default     = true
}

variable "tags" {
  description = "Tags for every resource."
  type        = map(string)
  default     = {}
}

variable "bedrock_zones" {
  description = "Zones whose probe host calls Bedrock: each gets a role that denies bedrock:* off the private path."
  type        = list(string)
  default     = ["inference"]
}

variable "bedrock_endpoint_ids" {
  description = "The Bedrock interface endpoints (aws:SourceVpce) through which the Bedrock zones' roles may call Bedrock."
  type        = list(string)
  default     = []
}

variable "bedrock_vpc_id" {
  description = "The VPC of the Bedrock endpoints (aws:SourceVpc); empty to rely on the endpoint ids alone."
  type        = string
  default     = ""
}
