# One small SSM-managed probe host per zone, found by pathproof through its tags
# (pathproof:zone, pathproof:role = probe). IMDSv2 is required; the sandbox host has IMDS off.

resource "aws_iam_role" "probe" {
  count = var.create_instance_profile ? 1 : 0
  name  = "${var.name}-probe"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Principal = { Service = "ec2.amazonaws.com" }, Action = "sts:AssumeRole" }]
  })
  tags = var.tags
}

resource "aws_iam_role_policy_attachment" "ssm_core" {
  count      = var.create_instance_profile ? 1 : 0
  role       = aws_iam_role.probe[0].name
  policy_arn = "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore"
}

resource "aws_iam_instance_profile" "probe" {
  count = var.create_instance_profile ? 1 : 0
  name  = "${var.name}-probe"
  role  = aws_iam_role.probe[0].name
}

# The probe host of a zone that calls Bedrock uses a role of its own: the instance role SSM needs, plus
# public access closed (the source's common mistake 1): bedrock:* is denied unless the call arrives
# through one of the Bedrock interface endpoints (aws:SourceVpce) or their VPC (aws:SourceVpc), so
# the same credentials are refused by Bedrock's public endpoint. pathproof judges it
# (cfg-bedrock-public-access-closed) from the environment's zones.<zone>.roles.
resource "aws_iam_role" "bedrock" {
  for_each = var.create_instance_profile ? toset(var.bedrock_zones) : toset([])
  name     = "${var.name}-${each.key}-probe"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Principal = { Service = "ec2.amazonaws.com" }, Action = "sts:AssumeRole" }]
  })
  tags = var.tags
}

resource "aws_iam_role_policy" "bedrock_private_only" {
  for_each = aws_iam_role.bedrock
  name     = "bedrock-private-only"
  role     = each.value.name
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid      = "DenyBedrockOffThePrivatePath"
        Effect   = "Deny"
        Action   = "bedrock:*"
        Resource = "*"
        Condition = { StringNotEquals = merge(
          { "aws:SourceVpce" = var.bedrock_endpoint_ids },
          var.bedrock_vpc_id == "" ? {} : { "aws:SourceVpc" = var.bedrock_vpc_id },
        ) }
      },
      { Sid = "InvokeModels", Effect = "Allow", Action = ["bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream"], Resource = "*" },
    ]
  })
}

resource "aws_iam_role_policy_attachment" "bedrock_ssm_core" {
  for_each   = aws_iam_role.bedrock
  role       = each.value.name
  policy_arn = "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore"
}

resource "aws_iam_instance_profile" "bedrock" {
  for_each = aws_iam_role.bedrock
  name     = each.value.name
  role     = each.value.name
}

resource "aws_instance" "probe" {
  for_each               = var.zones
  ami                    = var.ami_id
  instance_type          = var.instance_type
  subnet_id              = each.value.subnet_id
  private_ip             = each.value.private_ip
  vpc_security_group_ids = concat([each.value.security_group_id], var.create_ssm_endpoints ? [aws_security_group.probe_ssm[0].id] : [])
  iam_instance_profile   = var.create_instance_profile ? try(aws_iam_instance_profile.bedrock[each.key].name, aws_iam_instance_profile.probe[0].name) : null
  metadata_options {
    http_endpoint = contains(var.imds_disabled_zones, each.key) ? "disabled" : "enabled"
    http_tokens   = "required" # IMDSv2 only
  }
  tags = merge(var.tags, { Name = "probe-${each.key}", "pathproof:zone" = each.key, "pathproof:role" = "probe" })
}

# SSM reaches hosts in subnets without egress through these endpoints: a declared management
# exception (443 from the VPC to the endpoint ENIs), not a hole the suite ignores.
resource "aws_security_group" "ssm" {
  count       = var.create_ssm_endpoints ? 1 : 0
  name        = "${var.name}-ssm-endpoints"
  description = "SSM endpoints: 443 from the VPC (management exception)"
  vpc_id      = var.vpc_id
  tags        = var.tags
}

resource "aws_vpc_security_group_ingress_rule" "ssm" {
  count             = var.create_ssm_endpoints ? 1 : 0
  security_group_id = aws_security_group.ssm[0].id
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  cidr_ipv4         = var.vpc_cidr
}

resource "aws_vpc_endpoint" "ssm" {
  for_each            = var.create_ssm_endpoints ? toset(["ssm", "ssmmessages", "ec2messages"]) : toset([])
  vpc_id              = var.vpc_id
  service_name        = "com.amazonaws.${var.region}.${each.value}"
  vpc_endpoint_type   = "Interface"
  subnet_ids          = var.ssm_endpoint_subnet_ids
  security_group_ids  = [aws_security_group.ssm[0].id]
  private_dns_enabled = true
  tags                = merge(var.tags, { Name = "${var.name}-${each.value}" })
}

# The probe hosts' side of the management exception: 443 to the SSM endpoints only, so that a host in
# a zone without egress (data, sandbox) still reaches SSM, and nothing else is opened. pathproof's
# catalog checks leave other AWS services' endpoint ENIs out of the zone model and say so.
resource "aws_security_group" "probe_ssm" {
  count       = var.create_ssm_endpoints ? 1 : 0
  name        = "${var.name}-probe-ssm"
  description = "probe hosts: 443 to the SSM endpoints only (management exception)"
  vpc_id      = var.vpc_id
  tags        = var.tags
}

resource "aws_vpc_security_group_egress_rule" "probe_ssm" {
  count                        = var.create_ssm_endpoints ? 1 : 0
  security_group_id            = aws_security_group.probe_ssm[0].id
  ip_protocol                  = "tcp"
  from_port                    = 443
  to_port                      = 443
  referenced_security_group_id = aws_security_group.ssm[0].id
}
