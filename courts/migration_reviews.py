"""Migration operations that `manage.py migration_safety` flags as risky, reviewed and accepted by people.

Key: "app.migration#index" (the operation's place in `operations`); value: what the operation is (as the
check describes it, so an edited migration is reviewed again) and one line saying why it was accepted.
Add an entry only for a migration you have made as safe as it can be, naming the reason: "before the
first release", "table small", "the cleanup release of <migration>, nothing reads it since <release>".

"Before the first release": every migration up to these was written between 2026-11-27 and 2026-12-01,
before any deployment (no release tag; the production settings came with issue 12), so no older code ever
served beside them and their tables held no production data.
"""

BEFORE_RELEASE = "before the first release: no older code served beside it, no production data"

REVIEWS: dict[str, tuple[str, str]] = {
    # courts
    "courts.0002_seed_registry#0": (
        "RunPython seed",
        "seeds the three courts and four tribunals: a few inserts into new tables",
    ),
    "courts.0003_event_append_only#0": (
        "RunPython forwards",
        f"CREATE TRIGGER on courts_event (a brief lock, no scan); {BEFORE_RELEASE}",
    ),
    "courts.0004_seed_calendar#0": (
        "RunPython seed",
        "seeds the legal calendar's years: inserts into a small table",
    ),
    "courts.0007_notification_emailed_at#1": (
        "Create index notification_unmailed_idx on field(s) id of model notification",
        f"{BEFORE_RELEASE}; today: AddIndexConcurrently",
    ),
    "courts.0007_notification_emailed_at#2": (
        "RunPython mark_existing_as_emailed",
        f"one UPDATE of every notice; {BEFORE_RELEASE} (on a full table it would need batches)",
    ),
    "courts.0009_court_and_tribunal_contact#0": (
        "Add field address to court",
        f"registry table of three rows, written by the seed migration and the admin; {BEFORE_RELEASE}",
    ),
    "courts.0009_court_and_tribunal_contact#1": (
        "Add field phone to court",
        f"registry table of three rows, written by the seed migration and the admin; {BEFORE_RELEASE}",
    ),
    "courts.0009_court_and_tribunal_contact#2": (
        "Add field address to tribunal",
        f"registry table of four rows, written by the seed migration and the admin; {BEFORE_RELEASE}",
    ),
    "courts.0009_court_and_tribunal_contact#3": (
        "Add field phone to tribunal",
        f"registry table of four rows, written by the seed migration and the admin; {BEFORE_RELEASE}",
    ),
    # cases
    "cases.0002_seed_case_types#0": (
        "RunPython seed",
        "seeds the case types: a few inserts into a new, small table",
    ),
    "cases.0004_first_receipt_one_type_per_category#0": (
        "Remove field note from filing",
        BEFORE_RELEASE,
    ),
    "cases.0007_encrypt_measure_accounts#0": (
        "Add field account_cipher to preservationmeasure",
        BEFORE_RELEASE,
    ),
    "cases.0007_encrypt_measure_accounts#1": (
        "Add field account_masked to preservationmeasure",
        BEFORE_RELEASE,
    ),
    "cases.0007_encrypt_measure_accounts#2": (
        "RunPython seal_accounts",
        f"encrypts each measure's account row by row, in the migration's transaction; {BEFORE_RELEASE}",
    ),
    "cases.0007_encrypt_measure_accounts#3": (
        "Remove field account from preservationmeasure",
        f"the clear account, replaced by the sealed one in the same change; {BEFORE_RELEASE}",
    ),
    "cases.0009_case_closed_at#1": (
        "Add field updated_at to case",
        f"{BEFORE_RELEASE}; today: db_default=Now()",
    ),
    "cases.0012_status_lookup_result#0": (
        "Add field result to statuslookup",
        f"{BEFORE_RELEASE}; today: db_default='refused'",
    ),
    "cases.0012_status_lookup_result#1": (
        "RunPython found_rows_were_found",
        f"one UPDATE of the found lookups; {BEFORE_RELEASE}",
    ),
    "cases.0013_status_lookup_log_entry#0": (
        "Add field entry to statuslookup",
        f"unique index built on the lookup log under lock; {BEFORE_RELEASE}; today: AddIndexConcurrently",
    ),
    # mediation
    "mediation.0002_no_double_booking#0": (
        "RunPython forwards",
        f"btree_gist, two exclusion constraints on sessions and bookings built under lock; {BEFORE_RELEASE}",
    ),
}
