"""Import hosts from a CSV file, all or nothing.

Policy (shown on the import page):

- Each row is matched to a live host of the account by e-mail, ignoring case. A match is
  updated, anything else becomes a new host with ``source=csv``.
- Blank cells leave the current value of a matched host unchanged.
- Rows whose e-mail belongs to a host managed by Microsoft Entra ID are *skipped*: the
  directory owns that host. Skipped rows never block the import.
- If any row is invalid, nothing is written and the report lists every row's problem.
- A file that is not a readable CSV with the template's header row is refused as a whole.
"""

import csv
import io
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models.functions import Upper
from django.utils import timezone

from visitor_mgmt.host_values import invalid_emails, invalid_phones, is_valid_email, too_long
from visitor_mgmt.models import Account, Host, Source
from visitor_mgmt.services.hosts import PERSON_FIELDS
from visitor_mgmt.services.text import normalise_host_values

TEMPLATE_COLUMNS = PERSON_FIELDS
NAME_COLUMNS = ("first_name", "last_name", "display_name")
MAX_FILE_BYTES = 2 * 1024 * 1024
MAX_ROWS = 10_000
# Existing hosts are looked up by e-mail in batches this size (one query per batch).
LOOKUP_BATCH = 500


class CsvFileError(Exception):
    """The upload as a whole cannot be imported (not CSV, wrong header, too big, ...)."""


class RowStatus:
    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    SKIPPED = "skipped"
    INVALID = "invalid"


@dataclass
class RowResult:
    row: int  # row number as a spreadsheet shows it (the header is row 1)
    email: str
    name: str
    status: str = RowStatus.CREATED
    messages: list = field(default_factory=list)
    values: dict = field(default_factory=dict, repr=False)
    host: Host | None = field(default=None, repr=False)


@dataclass
class ImportReport:
    rows: list
    committed: bool

    def count(self, status):
        return sum(1 for r in self.rows if r.status == status)

    @property
    def counts(self):
        return {
            s: self.count(s)
            for s in (
                RowStatus.CREATED,
                RowStatus.UPDATED,
                RowStatus.UNCHANGED,
                RowStatus.SKIPPED,
                RowStatus.INVALID,
            )
        }

    @property
    def invalid_rows(self):
        return [r for r in self.rows if r.status == RowStatus.INVALID]

    @property
    def summary(self):
        c = self.counts
        if not self.committed:
            return (
                f"Nothing was imported: {c['invalid']} of {len(self.rows)} rows have problems. "
                "Fix them and upload the file again."
            )
        text = (
            f"Import finished: {c['created']} created, {c['updated']} updated, "
            f"{c['unchanged']} unchanged"
        )
        if c["skipped"]:
            text += f", {c['skipped']} skipped (managed by Microsoft Entra ID)"
        return text + "."


def template_csv():
    """The template file: the header row only."""
    out = io.StringIO()
    csv.writer(out).writerow(TEMPLATE_COLUMNS)
    return out.getvalue()


def _normalise_column(name):
    return name.strip().lower().replace(" ", "_").replace("-", "_")


def too_large_message():
    return (
        f"The file is too large; the limit is {MAX_FILE_BYTES // (1024 * 1024)} MB. "
        "Split it into smaller files."
    )


def _read_upload(upload):
    if upload.size is not None and upload.size > MAX_FILE_BYTES:
        raise CsvFileError(
            f"The file is too large ({upload.size // 1024:,} KB); the limit is "
            f"{MAX_FILE_BYTES // (1024 * 1024)} MB. Split it into smaller files."
        )
    data = upload.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        raise CsvFileError(
            f"The file is too large; the limit is {MAX_FILE_BYTES // (1024 * 1024)} MB."
        )
    return data


def parse_csv(data):
    """Check the file and return ``(columns, rows)``; ``rows`` are ``(row_number, cells)``.

    Raises CsvFileError for anything that makes the whole file unusable.
    """
    if b"\x00" in data:
        raise CsvFileError(
            "This does not look like a CSV file. Upload a .csv file saved as text "
            "(in Excel: Save As → CSV UTF-8)."
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise CsvFileError(
            "The file is not UTF-8 text. Save it as CSV UTF-8 and upload it again."
        ) from None
    if not text.strip():
        raise CsvFileError("The file is empty.")

    first_line = text.lstrip("\r\n").split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    columns = None
    rows = []
    row_number = 0
    try:
        for cells in reader:
            row_number += 1
            if not any(c.strip() for c in cells):
                continue
            if columns is None:
                columns = _check_header(cells)
                continue
            if len(rows) >= MAX_ROWS:
                raise CsvFileError(
                    f"The file has more than {MAX_ROWS:,} hosts. Split it into smaller files."
                )
            rows.append((row_number, cells))
    except csv.Error as exc:
        raise CsvFileError(
            f"The file could not be read as CSV (row {row_number}): {exc}."
        ) from None
    if not rows:
        raise CsvFileError("The file has a header row but no hosts below it.")
    return columns, rows


def _check_header(cells):
    columns = [_normalise_column(c) for c in cells]
    known = [c for c in columns if c in TEMPLATE_COLUMNS]
    expected = ",".join(TEMPLATE_COLUMNS)
    if not known:
        raise CsvFileError(
            f"The first row must be the header row ({expected}). Download the template."
        )
    unknown = [c for c in columns if c and c not in TEMPLATE_COLUMNS]
    if unknown:
        raise CsvFileError(f"Unknown column(s): {', '.join(unknown)}. The columns are: {expected}.")
    duplicates = sorted({c for c in known if known.count(c) > 1})
    if duplicates:
        raise CsvFileError(f"Column(s) appear more than once: {', '.join(duplicates)}.")
    if "email" not in known or not any(c in known for c in NAME_COLUMNS):
        raise CsvFileError(
            "The header needs an email column and at least one of first_name, last_name "
            "or display_name."
        )
    return columns


def _row_values(columns, cells):
    """Cells by column name (normalised), and whether the row has cells no column names."""
    values = {}
    stray = False
    for index, cell in enumerate(cells):
        name = columns[index] if index < len(columns) else ""
        if name:
            values[name] = cell.strip()
        elif cell.strip():
            stray = True
    # Look-alikes (a zero-width space, full-width letters) are the same host: compare and
    # store the normal form, as every other writer does (services/text.py).
    return normalise_host_values(values), stray


def _check_values(values):
    problems = [
        f"alternate_email: “{values[name]}” is not a valid e-mail address."
        for name in invalid_emails(values, ["alternate_email"])
    ]
    problems += [
        f"{name}: “{values[name]}” is not a phone number (digits, an optional leading +)."
        for name in invalid_phones(values)
    ]
    problems += [
        f"{name} is too long ({length} characters; at most {limit})."
        for name, length, limit in too_long(values)
    ]
    return problems


def _existing_by_email(account, keys):
    """Live hosts of ``account`` whose upper-cased e-mail is in ``keys``, grouped by it."""
    found = {}
    keys = sorted(keys)
    for start in range(0, len(keys), LOOKUP_BATCH):
        batch = keys[start : start + LOOKUP_BATCH]
        qs = (
            Host.objects.live()
            .filter(account=account)
            .annotate(email_key=Upper("email"))
            .filter(email_key__in=batch)
        )
        for host in qs:
            found.setdefault(host.email_key, []).append(host)
    return found


def _plan_rows(account, columns, raw_rows):
    results = []
    seen = {}
    parsed = []
    for row_number, cells in raw_rows:
        values, stray = _row_values(columns, cells)
        email = values.get("email", "")
        name = " ".join(values.get(c, "") for c in ("first_name", "last_name") if values.get(c))
        result = RowResult(
            row=row_number, email=email, name=values.get("display_name") or name, values=values
        )
        if stray:
            result.messages.append("The row has more cells than the header has columns.")
        has_name = any(values.get(c) for c in NAME_COLUMNS)
        key = None
        if not email:
            result.messages.append(
                "Name and e-mail are missing."
                if not has_name
                else "E-mail is missing (it identifies the host)."
            )
        else:
            if not is_valid_email(email):
                result.messages.append(f"“{email}” is not a valid e-mail address.")
            else:
                key = email.upper()
                if key in seen:
                    result.messages.append(
                        f"Duplicate e-mail: the same e-mail is on row {seen[key]}."
                    )
                    key = None
                else:
                    seen[key] = row_number
        parsed.append((result, key, has_name))

    existing = _existing_by_email(account, [k for _, k, _ in parsed if k])
    now = timezone.now()
    for result, key, has_name in parsed:
        results.append(result)
        matches = existing.get(key, []) if key else []
        if any(h.is_directory_managed for h in matches) and not result.messages:
            result.status = RowStatus.SKIPPED
            result.messages.append(
                "Managed by Microsoft Entra ID: change this host in the directory."
            )
            continue
        result.messages.extend(_check_values(result.values))
        if len(matches) > 1:
            result.messages.append(
                f"{len(matches)} hosts in this account already have this e-mail; "
                "fix them by hand first."
            )
        elif not matches and key and not has_name:
            result.messages.append(
                "Name is missing: fill in first_name, last_name or display_name."
            )
        if result.messages:
            result.status = RowStatus.INVALID
            continue
        if matches:
            host = matches[0]
            changes = {c: v for c, v in result.values.items() if v and getattr(host, c) != v}
            for c, v in changes.items():
                setattr(host, c, v)
            if changes:
                host.updated_at = now
                result.messages.append("Changed: " + ", ".join(sorted(changes)) + ".")
            result.host = host
            result.status = RowStatus.UPDATED if changes else RowStatus.UNCHANGED
            result.values = changes
        else:
            result.host = Host(account=account, source=Source.CSV, **result.values)
            result.status = RowStatus.CREATED
    return results


def hosts_import_csv(*, account, upload=None, data=None):
    """Import hosts into ``account`` from an uploaded file (or raw bytes), all or nothing.

    Returns an ImportReport (``committed`` False when invalid rows stopped it); raises
    CsvFileError when the file itself is unusable. Nothing is written unless every row is
    valid or skipped.
    """
    if data is None:
        data = _read_upload(upload)
    elif len(data) > MAX_FILE_BYTES:
        raise CsvFileError(f"The file is too large; the limit is {MAX_FILE_BYTES // 1048576} MB.")
    columns, raw_rows = parse_csv(data)
    with transaction.atomic():
        # One import per account at a time: two parallel files could otherwise both
        # create a host for the same e-mail.
        Account.objects.select_for_update().filter(pk=account.pk).first()
        results = _plan_rows(account, columns, raw_rows)
        if any(r.status == RowStatus.INVALID for r in results):
            return ImportReport(rows=results, committed=False)
        created = [r.host for r in results if r.status == RowStatus.CREATED]
        updated = [r for r in results if r.status == RowStatus.UPDATED]
        Host.objects.bulk_create(created, batch_size=LOOKUP_BATCH)
        if updated:
            fields = sorted({c for r in updated for c in r.values} | {"updated_at"})
            Host.objects.bulk_update([r.host for r in updated], fields, batch_size=LOOKUP_BATCH)
    return ImportReport(rows=results, committed=True)
