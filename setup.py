# The top-level grammar/ folder ships inside the wheel as the package
# `emulator.grammar`, so the expression grammar is always loaded from the
# installed package, never from the working directory.
from setuptools import find_packages, setup

setup(
    packages=find_packages(include=["emulator", "emulator.*"]) + ["emulator.grammar"],
    package_dir={"emulator.grammar": "grammar"},
    package_data={"emulator.grammar": ["*.lark"], "emulator": ["**/*.json", "**/*.html", "**/*.js", "**/*.css"]},
)
