"""Test module without on_load."""

X = 1
