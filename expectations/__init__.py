"""Great Expectations Core 1.x suites as code. Import ``expectations.validate`` lazily: importing
great_expectations costs seconds, and commands that do not validate must not pay for it."""
