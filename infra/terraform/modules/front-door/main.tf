# The source's front door: an internal application load balancer before the model proxy. It carries
# streamed answers, so its idle time-out must outlast the longest pause of a stream (AWS's default
# is 60 s; pathproof's cfg-stream-idle-timeouts judges it against streaming.idleSeconds).

resource "aws_lb" "front_door" {
  name               = var.name
  internal           = true
  load_balancer_type = "application"
  subnets            = var.subnet_ids
  security_groups    = [var.security_group_id]
  idle_timeout       = var.idle_timeout_seconds
  # pathproof discovers the service's address from this tag (services.<name> without host:).
  tags = merge(var.tags, { Name = var.name, "pathproof:service" = var.service_name })
}

resource "aws_lb_target_group" "proxy" {
  name        = var.name
  target_type = "ip"
  protocol    = "HTTPS"
  port        = var.target_port
  vpc_id      = var.vpc_id
  tags        = var.tags
}

resource "aws_lb_target_group_attachment" "proxy" {
  for_each         = toset(var.target_ips)
  target_group_arn = aws_lb_target_group.proxy.arn
  target_id        = each.value
  port             = var.target_port
}

resource "aws_lb_listener" "http" {
  load_balancer_arn = aws_lb.front_door.arn
  port              = var.listener_port
  protocol          = "HTTP"
  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.proxy.arn
  }
}
