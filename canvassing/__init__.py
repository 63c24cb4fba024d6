"""The register and canvassing: the electoral register held per endorsed candidate's campaign, who is granted
it and every access to it, register imports (full registers, monthly alterations, absent-voter lists), walk
lists and their assignments, doorstep responses recorded on a phone (offline too), progress, and polling day
(tellers' poll numbers, knock-up and postal-vote chase lists).

It is an app of its own, apart from ``campaigns``, because its access rule differs from everything else in
the project (docs/domain.md, "Rules that shape the design"): register data belongs to one candidate's campaign
under its agent's control, is seen only by users granted on that campaign whatever their role
(``scope_register_path`` in :mod:`organiser.scope`), every view, export, import and destruction of it is
written to :class:`canvassing.models.AccessLog`, and it is destroyed on the campaign's retention date by a
daily Celery job. Keeping it apart also keeps its migrations out of the campaigns app's way.
"""
