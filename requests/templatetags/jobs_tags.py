"""Template tags of the scheduled jobs."""

from django import template

from portal.models import OutboundMail

register = template.Library()


@register.simple_tag
def failed_mail_count() -> int:
    """Mails the outbox gave up on after their retries; shown to staff on their home page."""
    return OutboundMail.objects.filter(status=OutboundMail.Status.FAILED).count()
