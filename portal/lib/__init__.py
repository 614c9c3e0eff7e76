"""Cross-cutting helpers that every app may import (uploads, private files, mail); imports no app."""
