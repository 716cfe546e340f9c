"""Organisation master data: unit kerja, jabatan, golongan/pangkat, pegawai."""


def register(appbuilder):
    """Menus, views and REST APIs of this area (called by the app factory)."""
    from flask_babel import lazy_gettext as _l

    from . import api, lookups, views

    lookups.register()
    cat = "Master Data"
    cat_label = _l("Master Data")
    appbuilder.add_view(views.EmployeeView, "Employees", label=_l("Employees"), icon="fa-users",
                        category=cat, category_label=cat_label, category_icon="fa-sitemap")
    appbuilder.add_view(views.UnitView, "Units", label=_l("Work units"), icon="fa-building", category=cat)
    appbuilder.add_view(views.UnitTreeView, "Unit Tree", label=_l("Unit tree"), icon="fa-sitemap",
                        category=cat)
    appbuilder.add_view(views.PositionView, "Positions", label=_l("Positions"), icon="fa-briefcase",
                        category=cat)
    appbuilder.add_view(views.RankView, "Ranks", label=_l("Ranks (golongan/pangkat)"), icon="fa-signal",
                        category=cat)
    from .import_views import ImportView

    appbuilder.add_view(ImportView, "Import", label=_l("Import data"), icon="fa-upload", category=cat)
    appbuilder.add_view(views.MyProfileView, "My Profile", label=_l("My profile"), icon="fa-id-card")
    for api_class in (api.UnitApi, api.PositionApi, api.RankApi, api.EmployeeApi):
        appbuilder.add_api(api_class)
