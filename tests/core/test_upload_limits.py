"""Oversized CSV uploads are refused before they are read, and never reach disk (issue
14: a 100 MB file was written to a temporary file before the import said no). The refusal
is the page's usual form error."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, RequestFactory

from tests.core.test_csv_import import HEADER
from visitor_mgmt.models import Host
from visitor_mgmt.services import csv_import
from visitor_mgmt.views.hosts import host_import

pytestmark = pytest.mark.django_db

URL = "/hosts/import/"
MB = 1024 * 1024


@pytest.fixture
def no_temp_dir(settings, tmp_path):
    """Uploads may not be written to disk: the temporary-file directory does not exist,
    so writing one fails loudly (as root, a read-only directory would not stop it)."""
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path / "does-not-exist")


def csv_of(size):
    # Long rows, so that a file near the size limit stays under the row limit.
    row = "Ann,Lee,,ann{n}@x.example,,,,," + "D" * 250 + ",\n"
    out, n = [HEADER + "\n"], 0
    total = len(out[0])
    while total < size:
        line = row.format(n=n)
        out.append(line)
        total += len(line)
        n += 1
    return "".join(out).encode()


def form_errors(response):
    return " ".join(response.context["form"].errors["file"])


def test_a_file_far_over_the_limit_is_a_form_error_without_a_temporary_file(
    admin_client, no_temp_dir
):
    big = SimpleUploadedFile("big.csv", b"x" * (20 * MB), content_type="text/csv")
    response = admin_client.post(URL, {"file": big})
    assert response.status_code == 200
    assert "too large" in form_errors(response) and "2 MB" in form_errors(response)
    assert not Host.objects.exists()


def test_a_file_just_over_the_limit_is_refused_in_memory(admin_client, no_temp_dir):
    """Within the body's slack for multipart headers, so the handler's cap refuses it."""
    data = csv_of(csv_import.MAX_FILE_BYTES + 10 * 1024)
    response = admin_client.post(URL, {"file": SimpleUploadedFile("h.csv", data)})
    assert response.status_code == 200
    assert "too large" in form_errors(response)
    assert not Host.objects.exists()


def test_a_file_under_the_limit_is_imported_without_a_temporary_file(admin_client, no_temp_dir):
    data = csv_of(csv_import.MAX_FILE_BYTES - 64 * 1024)
    response = admin_client.post(URL, {"file": SimpleUploadedFile("h.csv", data)})
    assert response.status_code == 200
    assert response.context["report"].committed
    assert Host.objects.count() == data.count(b"\n") - 1


class CountingReader(io.RawIOBase):
    """The request body as the server hands it over, counting what the app reads."""

    def __init__(self, stream):
        self.stream = stream
        self.read_bytes = 0

    def read(self, size=-1):
        data = self.stream.read(size)
        self.read_bytes += len(data)
        return data

    def readline(self, size=-1):
        data = self.stream.readline(size)
        self.read_bytes += len(data)
        return data


def request_with_body(admin_user, data):
    request = RequestFactory().post(URL, {"file": SimpleUploadedFile("h.csv", data)})
    request.user = admin_user
    request._stream = CountingReader(request._stream)
    return request


def test_an_oversized_body_is_not_read_at_all(admin_user):
    request = request_with_body(admin_user, b"x" * (20 * MB))
    response = host_import(request)
    assert response.status_code == 200
    assert b"too large" in response.content
    assert request._stream.read_bytes == 0


def test_the_import_still_needs_the_csrf_token(admin_user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin_user)
    response = client.post(URL, {"file": SimpleUploadedFile("h.csv", csv_of(100))})
    assert response.status_code == 403
    assert not Host.objects.exists()
