"""The native API's responders, one module per noun."""
