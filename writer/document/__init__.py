"""Reading drafts: turn Markdown, HTML or plain text into prose blocks mapped to the source."""

from writer.document.model import Block, Comment, Document, OffsetMap, Section, Sentence

__all__ = ["Block", "Comment", "Document", "OffsetMap", "Section", "Sentence"]
