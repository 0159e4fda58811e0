"""Normalisation and crosswalks: source values to descriptor values, each with flags and provenance."""
