"""Negotiated shipping (协商发货): the negotiation and its cards."""
