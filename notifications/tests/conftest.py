import pytest

from notifications.fake_gateway import start_gateway

TOKEN = "tok-3f9a-rsud"


@pytest.fixture
def gateway(settings):
    """A fake Fonnte gateway on loopback, configured as the deployment's WhatsApp gateway."""
    fake = start_gateway(TOKEN)
    settings.WHATSAPP_URL, settings.WHATSAPP_TOKEN, settings.WHATSAPP_TIMEOUT = fake.url, TOKEN, 1.0
    yield fake
    fake.stop()
