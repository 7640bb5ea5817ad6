package logging

// Millis is the time layout of the aws, fc and scf shapes.
const Millis = millis

// AppendTime is appendTime, for the external tests.
var AppendTime = appendTime
