"""The rules of negotiated shipping: pure Python, no Flask, no SQLAlchemy.

Functions here take plain values (including ``now``) and objects that merely have the
attributes they read, so every rule can be tested without an app or a database.
"""
