"""What every page promises: landmarks, a skip link, safe headers."""


def test_base_layout_is_accessible(client):
    html = client.get("/").get_data(as_text=True)
    assert '<html lang="en">' in html
    assert '<a class="skip-link" href="#main">' in html
    assert '<main id="main"' in html and "<header" in html and "<footer" in html
    assert '<nav class="site-nav" aria-label="Main">' in html
    assert 'name="viewport"' in html and "not medical advice" in html


def test_pages_send_security_headers(client):
    response = client.get("/")
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"


def test_stylesheet_has_focus_large_targets_and_dark_mode(client):
    css = client.get("/static/thaw.css").get_data(as_text=True)
    assert ":focus-visible" in css and "--target: 44px" in css and "prefers-color-scheme: dark" in css
