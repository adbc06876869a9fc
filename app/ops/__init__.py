"""Operations: health check and command-line tools."""
