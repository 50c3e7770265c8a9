"""Photos: checked with Pillow, stripped of EXIF and GPS, resized, kept behind a storage
interface (a folder today, an object store later)."""
