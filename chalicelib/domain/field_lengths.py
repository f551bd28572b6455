"""The longest value each free-text field of the electoral roll may hold: the import refuses a
longer one (`domain.voter_rows`), and a claim about a voter's name or workplace is held to the
same bounds (`services.claims`). A module of its own, so that the API loads these numbers
without the import's row rules."""

MAX_LENGTHS = {
    "last_name": 100,
    "first_name": 100,
    "academy": 100,
    "department": 100,
    "workplace": 200,
    "code_delivery": 500,
}
