"""Operations shared by the web forms and the CLI (one implementation for both faces)."""
