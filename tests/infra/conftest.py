from tests.api.conftest import portal  # noqa: F401  (the same small election on moto)
