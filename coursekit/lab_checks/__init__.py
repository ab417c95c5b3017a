"""Comprobaciones de los ejercicios, un módulo por lab (se cargan desde ``coursekit.checks``)."""
