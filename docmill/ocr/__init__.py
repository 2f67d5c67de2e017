"""OCR: Tesseract read in process for scans and photos (Korean and English by default).

- `languages`: which traineddata the configuration asks for, where they are, and what is missing
  (light: the api's /ready and `docmill ocr check` use it without loading Tesseract);
- `engine`: the Tesseract binding, one initialised engine per process and language set;
- `preprocess`: greyscale, photo clean-up, noise, skew;
- `reader`: one page image in, its text, confidence, orientation and word boxes out;
- `textlayer`: the invisible text layer of a searchable PDF copy.
"""

LOW_CONFIDENCE = 60.0  # mean word confidence (0–100) under which a page read by OCR is flagged for the user
