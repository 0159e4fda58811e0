"""The API as an ASGI application factory, for uvicorn with several worker processes:

    CLEARINGHOUSE_HOME=/srv/ch uvicorn --factory catalog.asgi:app --workers 2

The catalogue is the home folder's (or CLEARINGHOUSE_CATALOG_URL)."""
from fastapi import FastAPI


def app() -> FastAPI:
    from catalog import store
    from catalog.api import create_app
    from clearinghouse import config

    home = config.home_dir()
    return create_app(store.catalog_url(home), home)
