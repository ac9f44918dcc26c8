"""The voices calls are spoken in, by language: Amazon Polly's neural voices, for the IVR and for what
the phone network says on a live call alike. No Django import: the load generator reads it too."""

VOICES = {"en": ("Polly.Joanna-Neural", "en-US"), "es": ("Polly.Lupe-Neural", "es-US")}
