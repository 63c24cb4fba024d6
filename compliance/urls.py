"""Page routes of compliance: organisers' pages under /organise/<election>/compliance/ and
/organise/compliance/ (data-protection records); public share pages, cards, the widget and the privacy notice."""

from django.urls import path

import campaigns.urls  # noqa: F401  (registers the election and seat-code converters)
from compliance import views

app_name = "compliance"
base = "organise/<election:slug>/compliance/"
urlpatterns = [
    path(base, views.dashboard, name="dashboard"),
    path(base + "spending/", views.spending_list, name="spending"),
    path(base + "spending/<int:pk>/", views.spending_item, name="spending_item"),
    path(base + "files/<str:kind>/<int:pk>/", views.private_file, name="file"),
    path(base + "authorisations/", views.authorisations, name="authorisations"),
    path(base + "donations/", views.donations, name="donations"),
    path(base + "donations/<int:pk>/decide/", views.donation_decide, name="donation_decide"),
    path(base + "promoter/", views.promoter, name="promoter"),
    path(base + "materials/", views.materials, name="materials"),
    path(base + "materials/<int:pk>/withdraw/", views.material_withdraw, name="material_withdraw"),
    path(base + "materials/<int:pk>/print/", views.material_print, name="material_print"),
    path(base + "returns/", views.returns, name="returns"),
    path(base + "returns/campaign.csv", views.return_campaign_csv, name="return_campaign"),
    path(base + "returns/donations.csv", views.return_donations_csv, name="return_donations"),
    path(base + "returns/candidate/<int:candidacy>.csv", views.return_candidate_csv, name="return_candidate"),
    path(base + "returns/seat/<seat_code:code>.csv", views.return_seat_csv, name="return_seat"),
    path("organise/compliance/record-of-processing/", views.record_of_processing, name="record"),
    path("organise/compliance/dpia/", views.dpia, name="dpia"),
    path("organise/compliance/policy-document/", views.policy_document, name="policy"),
    path("organise/compliance/subject-access/", views.subject_access, name="subject_access"),
    path("share/", views.share_list, name="share_list"),
    path("share/<int:pk>/", views.share, name="share"),
    path("share/<int:pk>/card.png", views.card, name="card"),
    path("embed/<election:slug>/endorsements/", views.widget, name="widget"),
    path("privacy/", views.privacy, name="privacy"),
]
