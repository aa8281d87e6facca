"""Tests for the channels package."""
