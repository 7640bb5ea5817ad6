package scf
