"""gunicorn settings read from the working directory (`gunicorn portal.wsgi` in the project folder).

The access log leaves out query strings and the Referer: a clerk's search or a link may carry a
NIK or a medical record number (UU PDP), and access logs are kept and copied widely. What is
logged: client address, time, method, path without query, protocol, status, size, user agent,
duration in seconds.
"""

accesslog = "-"
access_log_format = '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(B)s "%(a)s" %(L)s'
