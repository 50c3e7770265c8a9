"""The demo city: real Baton Rouge geography, fictional organisations and needs."""
