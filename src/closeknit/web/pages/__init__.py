"""One module of page handlers per resource: parse the form or query, call one service
function, render its result."""
