"""Refusing oversized uploads before they are read, and never writing them to disk.

Django's default upload handlers stream any file over FILE_UPLOAD_MAX_MEMORY_SIZE into a
temporary file, whatever its size, before the view can say no (a 100 MB CSV reached disk
before the import refused it). A view that takes a file sets ``capped_upload_handlers``
before the body is read: the declared size is checked first (nothing read if it is over),
and the file is kept in memory and dropped at the limit, as a fallback for a body larger
than it said.
"""

from django.core.files.uploadhandler import MemoryFileUploadHandler, StopUpload

# Room for the multipart headers and the form's other fields (the CSRF token).
MULTIPART_OVERHEAD_BYTES = 64 * 1024


def declared_length(request):
    try:
        return max(0, int(request.META.get("CONTENT_LENGTH") or 0))
    except ValueError:
        return 0


class CappedMemoryUploadHandler(MemoryFileUploadHandler):
    """Keeps each file in memory up to ``max_bytes``; beyond, stops reading the body and
    records it in ``too_large`` (the file is then absent from request.FILES)."""

    def __init__(self, request=None, *, max_bytes):
        super().__init__(request)
        self.max_bytes = max_bytes
        self.too_large = False
        self.received = 0

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        self.activated = True  # in memory whatever FILE_UPLOAD_MAX_MEMORY_SIZE says

    def new_file(self, *args, **kwargs):
        self.received = 0
        super().new_file(*args, **kwargs)

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > self.max_bytes:
            self.too_large = True
            raise StopUpload(connection_reset=True)  # do not read the rest of the body
        return super().receive_data_chunk(raw_data, start)


def capped_upload_handlers(request, *, max_bytes):
    """Install the capped handler on ``request`` (before request.POST/FILES is touched)."""
    handler = CappedMemoryUploadHandler(request, max_bytes=max_bytes)
    request.upload_handlers = [handler]
    return handler


def upload_declared_too_large(request, *, max_bytes):
    return declared_length(request) > max_bytes + MULTIPART_OVERHEAD_BYTES
