from mediation.views.mediations import _not_yet

confirmation_list = confirmation_detail = confirmation_action = _not_yet
