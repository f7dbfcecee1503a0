"""The expression grammar, shipped as package data of `emulator.grammar`."""
