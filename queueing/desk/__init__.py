"""The registration counter (loket), a front end on the booking core in queueing.

One module per layer, as in the app: services.py (writes with rules), selectors.py (reads),
forms.py, views.py, urls.py (mounted under /antrian/loket/, names queueing:desk_*) and pdf.py
(the blank manual form); templates in templates/queueing/desk/.
"""
